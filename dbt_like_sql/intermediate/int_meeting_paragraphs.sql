-- One row per (meeting, document paragraph) inside an event's paragraph range.
with

events as (

    select * from {{ ref('int_events_linked') }}

),

paragraphs as (

    select * from {{ ref('int_paragraphs_deduplicated') }}

),

final as (

    -- distinct: two events of one article may share a meeting and overlapping ranges.
    select distinct
        events.meeting_id,
        paragraphs.doc_id,
        paragraphs.source_path,
        paragraphs.paragraph_no,
        paragraphs.topics
    from events
    inner join paragraphs
        on events.doc_id = paragraphs.doc_id
        and paragraphs.paragraph_no between events.first_paragraph and events.last_paragraph

)

select * from final
