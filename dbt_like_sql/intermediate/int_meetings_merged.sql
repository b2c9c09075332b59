-- One row per meeting, its fields merged across every article event that reports it.
with

events as (

    select * from {{ ref('int_events_linked') }}

),

rejected as (

    select * from {{ ref('stg_rejected_rows') }}

),

attribute_values as (

    select meeting_id, 'kind' as attribute, kind as value from events
    union all
    select meeting_id, 'location', location from events
    union all
    select meeting_id, 'country', country from events
    union all
    select meeting_id, 'occasion', occasion from events

),

attribute_winners as (

    -- Most frequent non-null value; ties go to the longest (most specific), then alphabetical.
    select
        meeting_id,
        attribute,
        value
    from attribute_values
    where value is not null
    group by meeting_id, attribute, value
    qualify row_number() over (
        partition by meeting_id, attribute
        order by count(*) desc, length(value) desc, value
    ) = 1

),

attributes as (

    select
        meeting_id,
        max(value) filter (where attribute = 'kind') as kind,
        max(value) filter (where attribute = 'location') as location,
        max(value) filter (where attribute = 'country') as country,
        max(value) filter (where attribute = 'occasion') as occasion
    from attribute_winners
    group by meeting_id

),

date_votes as (

    select
        meeting_id,
        event_date,
        count(*) filter (where date_certain) as certain_votes
    from events
    where event_date is not null
    group by meeting_id, event_date

),

meeting_dates as (

    -- Most frequent certain date (ties: earliest); with no certain date, the earliest one.
    select
        meeting_id,
        event_date as meeting_date
    from date_votes
    qualify row_number() over (
        partition by meeting_id
        order by certain_votes desc, event_date
    ) = 1

),

sources as (

    select
        meeting_id,
        list_sort(list_distinct(flatten(list(participants)))) as participants,
        count(distinct doc_id) as source_count,
        list_sort(list_distinct(list(source_path))) as source_paths,
        count(*) as event_count
    from events
    group by meeting_id

),

final as (

    select
        sources.meeting_id,
        meeting_dates.meeting_date,
        attributes.kind,
        attributes.location,
        attributes.country,
        attributes.occasion,
        sources.participants,
        sources.source_count,
        sources.source_paths,
        sources.event_count
    from sources
    left join meeting_dates
        on sources.meeting_id = meeting_dates.meeting_id
    left join attributes
        on sources.meeting_id = attributes.meeting_id
    -- a meeting rejected by validation is left out
    where [sources.meeting_id] not in (select key from rejected where suite = 'meetings')

)

select * from final
