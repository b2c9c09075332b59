-- Fails for every meeting whose topics list differs from its rows in marts.topics.
with

topic_rows as (

    select
        meeting_id,
        list_sort(list(topic)) as topics
    from marts.topics
    group by meeting_id

)

select
    meetings.meeting_id,
    meetings.topics,
    topic_rows.topics as topic_rows
from marts.meetings as meetings
left join topic_rows
    on meetings.meeting_id = topic_rows.meeting_id
where meetings.topics != coalesce(topic_rows.topics, cast([] as varchar[]))
