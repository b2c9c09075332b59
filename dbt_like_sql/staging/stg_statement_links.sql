-- One row per quote linked to a statement shared across articles.
with

source as (

    select * from staging.statement_links

),

final as (

    select
        doc_id,
        cast(quote_no as integer) as quote_no,
        statement_id
    from source

)

select * from final
