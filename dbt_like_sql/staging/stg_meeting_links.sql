-- One row per article event linked to a meeting shared across articles.
with

source as (

    select * from staging.meeting_links

),

final as (

    select
        doc_id,
        cast(event_no as integer) as event_no,
        meeting_id
    from source

)

select * from final
