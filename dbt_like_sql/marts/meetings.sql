-- One row per diplomatic engagement, merged across all articles that report it.
with

meetings as (

    select * from {{ ref('int_meetings_merged') }}

),

quotes as (

    select * from {{ ref('int_quotes_enriched') }}

),

meeting_topics as (

    select * from {{ ref('topics') }}

),

quote_counts as (

    select
        meeting_id,
        count(*) as quote_count
    from quotes
    where meeting_id is not null
    group by meeting_id

),

topic_lists as (

    select
        meeting_id,
        list_sort(list_distinct(list(topic))) as topics
    from meeting_topics
    group by meeting_id

),

final as (

    select
        meetings.meeting_id,
        meetings.meeting_date,
        meetings.kind,
        meetings.location,
        meetings.country,
        meetings.occasion,
        meetings.participants,
        meetings.source_count,
        meetings.source_paths,
        coalesce(quote_counts.quote_count, 0) as quote_count,
        coalesce(topic_lists.topics, cast([] as varchar[])) as topics,
        meetings.event_count
    from meetings
    left join quote_counts
        on meetings.meeting_id = quote_counts.meeting_id
    left join topic_lists
        on meetings.meeting_id = topic_lists.meeting_id

)

select * from final
