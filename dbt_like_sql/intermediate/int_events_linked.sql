-- One row per event of a deduplicated document, with the meeting it belongs to.
with

events as (

    select * from {{ ref('stg_events') }}

),

documents as (

    select * from {{ ref('int_documents_deduplicated') }}

),

meeting_links as (

    select * from {{ ref('stg_meeting_links') }}

),

links as (

    -- One meeting per (doc_id, event_no) even if the linker wrote a pair twice.
    select
        doc_id,
        event_no,
        min(meeting_id) as meeting_id
    from meeting_links
    group by doc_id, event_no

),

final as (

    select
        -- An event the linker did not cover still forms a meeting of its own.
        coalesce(
            links.meeting_id,
            events.doc_id || '-e' || cast(events.event_no as varchar)
        ) as meeting_id,
        events.doc_id,
        events.source_path,
        events.event_no,
        events.kind,
        events.trigger,
        events.event_date,
        events.date_certain,
        events.location,
        events.country,
        events.occasion,
        events.participants,
        events.first_paragraph,
        events.last_paragraph,
        documents.published_date
    from events
    inner join documents
        on events.doc_id = documents.doc_id
        and events.source_path = documents.source_path
    left join links
        on events.doc_id = links.doc_id
        and events.event_no = links.event_no

)

select * from final
