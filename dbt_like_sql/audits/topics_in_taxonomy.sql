-- Fails for every topic id in a mart's topic list that the topic seed does not define
-- (the topic column of marts.topics is checked by its relationships test in marts/schema.yml).
with

used_topics as (

    select 'marts.meetings' as used_in, unnest(topics) as topic from marts.meetings
    union all
    select 'marts.quotes', unnest(topics) from marts.quotes

)

select distinct
    used_topics.used_in,
    used_topics.topic
from used_topics
where used_topics.topic not in (select topic from staging.seed_topics)
