-- One row per doc_id: the copy under the lexicographically first source_path.
with

documents as (

    select * from {{ ref('stg_documents') }}

),

ranked as (

    select
        *,
        row_number() over (partition by doc_id order by source_path) as copy_rank
    from documents

),

final as (

    select * exclude (copy_rank)
    from ranked
    where copy_rank = 1

)

select * from final
