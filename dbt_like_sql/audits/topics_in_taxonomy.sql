-- Fails for every topic id, in any mart, that the topic seed does not define.
with

used_topics as (

    select 'marts.topics' as used_in, topic from marts.topics
    union all
    select 'marts.meetings', unnest(topics) from marts.meetings
    union all
    select 'marts.quotes', unnest(topics) from marts.quotes

)

select distinct
    used_topics.used_in,
    used_topics.topic
from used_topics
where used_topics.topic not in (select topic from staging.seed_topics)
