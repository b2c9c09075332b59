-- One row per direct quotation in an article.
with

quotes as (

    select * from {{ ref('int_quotes_enriched') }}

),

final as (

    select
        quote_id,
        doc_id,
        source_path,
        speaker,
        quote_text,
        attribution_verb,
        is_partial,
        paragraph_no,
        published_date,
        outlet,
        meeting_id,
        statement_id,
        topics,
        quote_no
    from quotes

)

select * from final
