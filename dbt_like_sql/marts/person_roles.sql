-- One row per (person, title held): marts.people.roles as rows, in the list's order.
with

people as (

    select * from {{ ref('people') }}

),

final as (

    select
        person,
        unnest(generate_series(1, len(roles))) as role_no,
        unnest(roles) as role
    from people

)

select * from final
