-- +goose Up

-- Whether a statutory period may pause while the unit waits for the
-- citizen's information is an open legal question (law.md §11, §12.2);
-- until it is settled, the shipped rules of the periods the law itself
-- sets (the answer after a reception, Citizen Reception Law Art. 28; the
-- forwarding of complaints and denunciations, Decree 20 Art. 9.1.d and
-- Denunciations Law Art. 24.2) run on, so that a question never answered
-- cannot keep such a ticket from falling due. Local field-report rules
-- keep pausing. An operator who settles it otherwise sets the flag back.
UPDATE deadline_rules SET pause_on_info = false
WHERE kind IN ('tiep_dan', 'khieu_nai', 'to_cao') AND pause_on_info;

-- +goose Down
UPDATE deadline_rules SET pause_on_info = true
WHERE kind IN ('tiep_dan', 'khieu_nai', 'to_cao') AND NOT pause_on_info;
