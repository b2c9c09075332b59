-- One row per topic in the topic taxonomy seed.
with

source as (

    select * from staging.seed_topics

),

final as (

    select
        trim(topic) as topic,
        trim(label) as label,
        keywords
    from source

)

select * from final
