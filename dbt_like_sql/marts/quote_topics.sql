-- One row per (quote, topic): marts.quotes.topics as rows.
with

quotes as (

    select * from {{ ref('quotes') }}

),

final as (

    select
        quote_id,
        unnest(topics) as topic
    from quotes

)

select * from final
