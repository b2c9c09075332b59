-- Fails for every marts.people key (person) that is null or appears more than once.
select
    person,
    count(*) as row_count
from marts.people
group by person
having count(*) > 1 or person is null
