-- One row per (engagement, reporting article): marts.meetings.source_paths as rows.
with

meetings as (

    select * from {{ ref('meetings') }}

),

files as (

    select * from {{ ref('stg_documents') }}

),

sources as (

    select
        meeting_id,
        unnest(source_paths) as source_path
    from meetings

),

final as (

    select
        sources.meeting_id,
        sources.source_path,
        files.doc_id
    from sources
    left join files
        on sources.source_path = files.source_path

)

select * from final
