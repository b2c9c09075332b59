-- One row per event (meeting, phone call, message) reported by a current source file.
with

source as (

    select * from staging.events

),

final as (

    select
        source_path,
        doc_id,
        cast(event_no as integer) as event_no,
        lower(trim(kind)) as kind,
        trigger,
        cast(event_date as date) as event_date,
        date_certain,
        nullif(trim(location), '') as location,
        nullif(trim(country), '') as country,
        nullif(trim(occasion), '') as occasion,
        list_sort(list_distinct(participants)) as participants,
        cast(first_paragraph as integer) as first_paragraph,
        cast(last_paragraph as integer) as last_paragraph
    from source

)

select * from final
