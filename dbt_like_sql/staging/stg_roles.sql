-- One row per role a person held over a period, from the roles seed.
with

source as (

    select * from staging.seed_roles

),

final as (

    select
        trim(person) as person,
        trim(role) as role,
        nullif(trim(country), '') as country,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from source

)

select * from final
