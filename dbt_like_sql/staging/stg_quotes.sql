-- One row per quote in a current source file.
with

source as (

    select * from staging.quotes

),

final as (

    select
        doc_id || '-' || cast(quote_no as varchar) as quote_id,
        source_path,
        doc_id,
        cast(quote_no as integer) as quote_no,
        cast(paragraph_no as integer) as paragraph_no,
        nullif(trim(speaker), '') as speaker,
        quote_text,
        nullif(lower(trim(attribution_verb)), '') as attribution_verb,
        is_partial,
        cast(event_no as integer) as event_no,
        list_sort(list_distinct(topics)) as topics
    from source

)

select * from final
