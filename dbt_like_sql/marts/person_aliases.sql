-- One row per (person, alias): marts.people.aliases as rows.
with

people as (

    select * from {{ ref('people') }}

),

final as (

    select
        person,
        unnest(aliases) as alias
    from people

)

select * from final
