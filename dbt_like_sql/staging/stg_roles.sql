-- One row per role a person held over a period, from the roles seed.
with

source as (

    select * from staging.seed_roles

),

final as (

    select
        trim(person) as person,
        trim(role) as role,
        -- 'first_vice_president' + 'Iran' -> 'First vice president of Iran'
        upper(left(replace(trim(role), '_', ' '), 1))
            || substr(replace(trim(role), '_', ' '), 2)
            || coalesce(' of ' || nullif(trim(country), ''), '') as role_label,
        nullif(trim(country), '') as country,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from source

)

select * from final
