-- One row per (meeting, topic) the meeting's articles discuss.
with

meetings as (

    select * from {{ ref('int_meetings_merged') }}

),

meeting_paragraphs as (

    select * from {{ ref('int_meeting_paragraphs') }}

),

quotes as (

    select * from {{ ref('int_quotes_enriched') }}

),

taxonomy as (

    select * from {{ ref('stg_topics') }}

),

rejected as (

    select * from {{ ref('stg_rejected_rows') }}

),

paragraph_topics as (

    select
        meeting_id,
        doc_id,
        paragraph_no,
        unnest(topics) as topic
    from meeting_paragraphs

),

paragraph_counts as (

    select
        meeting_id,
        topic,
        count(distinct (doc_id, paragraph_no)) as mentions
    from paragraph_topics
    group by meeting_id, topic

),

quote_topics as (

    select
        meeting_id,
        quote_id,
        unnest(topics) as topic
    from quotes
    where meeting_id is not null

),

quote_counts as (

    select
        meeting_id,
        topic,
        count(distinct quote_id) as quote_count
    from quote_topics
    group by meeting_id, topic

),

combined as (

    select
        coalesce(paragraph_counts.meeting_id, quote_counts.meeting_id) as meeting_id,
        coalesce(paragraph_counts.topic, quote_counts.topic) as topic,
        coalesce(paragraph_counts.mentions, 0) as mentions,
        coalesce(quote_counts.quote_count, 0) as quote_count
    from paragraph_counts
    full outer join quote_counts
        on paragraph_counts.meeting_id = quote_counts.meeting_id
        and paragraph_counts.topic = quote_counts.topic

),

final as (

    select
        combined.meeting_id,
        meetings.meeting_date,
        combined.topic,
        taxonomy.label,
        combined.mentions,
        combined.quote_count
    from combined
    inner join meetings
        on combined.meeting_id = meetings.meeting_id
    left join taxonomy
        on combined.topic = taxonomy.topic
    where combined.mentions + combined.quote_count > 0
        -- a (meeting, topic) rejected by validation is left out
        and [combined.meeting_id, combined.topic] not in (
            select key from rejected where suite = 'topics'
        )

)

select * from final
