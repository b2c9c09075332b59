-- One row per current source file.
with

source as (

    select * from staging.documents

),

final as (

    select
        source_path,
        doc_id,
        content_type,
        nullif(trim(title), '') as title,
        nullif(trim(subtitle), '') as subtitle,
        cast(published_date as date) as published_date,
        nullif(trim(dateline), '') as dateline,
        nullif(trim(outlet), '') as outlet,
        nullif(trim(byline), '') as byline,
        body,
        cast(paragraph_count as integer) as paragraph_count,
        cast(removed_line_count as integer) as removed_line_count,
        run_id
    from source

)

select * from final
