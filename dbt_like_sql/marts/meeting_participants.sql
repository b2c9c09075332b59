-- One row per (engagement, participant): marts.meetings.participants as rows to join and filter.
with

meetings as (

    select * from {{ ref('meetings') }}

),

final as (

    select
        meeting_id,
        unnest(participants) as person
    from meetings

)

select * from final
