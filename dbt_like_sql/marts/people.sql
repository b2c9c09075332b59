-- One row per person: everyone in the people seed plus anyone new the articles mention.
with

seed_people as (

    select * from {{ ref('stg_people') }}

),

roles as (

    select * from {{ ref('stg_roles') }}

),

mentions as (

    select * from {{ ref('int_mentions_deduplicated') }}

),

rejected as (

    select * from {{ ref('stg_rejected_rows') }}

),

role_labels as (

    select
        person,
        list(
            role_label || case
                when valid_from is null and valid_to is null then ''
                else ' ('
                    || coalesce(strftime(valid_from, '%Y-%m-%d'), '?')
                    || ' – '
                    || coalesce(strftime(valid_to, '%Y-%m-%d'), 'present')
                    || ')'
            end
            order by valid_from nulls first, role
        ) as roles
    from roles
    group by person

),

mention_counts as (

    select
        person,
        count(*) as mention_count
    from mentions
    group by person

),

new_people as (

    -- Introduced by an article, unknown to the seed: nothing known beyond the name.
    select
        person,
        cast(null as varchar) as country,
        cast([] as varchar[]) as aliases,
        false as in_seed
    from mention_counts
    where person not in (select person from seed_people)

),

all_people as (

    select
        person,
        country,
        aliases,
        true as in_seed
    from seed_people
    union all
    select * from new_people

),

final as (

    select
        all_people.person,
        all_people.country,
        coalesce(role_labels.roles, cast([] as varchar[])) as roles,
        all_people.aliases,
        coalesce(mention_counts.mention_count, 0) as mention_count,
        all_people.in_seed
    from all_people
    left join role_labels
        on all_people.person = role_labels.person
    left join mention_counts
        on all_people.person = mention_counts.person
    -- a person rejected by validation is left out
    where [all_people.person] not in (select key from rejected where suite = 'people')

)

select * from final
