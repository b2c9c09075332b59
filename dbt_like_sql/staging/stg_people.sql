-- One row per person in the people seed.
with

source as (

    select * from staging.seed_people

),

final as (

    select
        trim(person) as person,
        nullif(trim(country), '') as country,
        list_sort(list_distinct(aliases)) as aliases
    from source

)

select * from final
