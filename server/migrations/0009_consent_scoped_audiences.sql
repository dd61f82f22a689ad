-- Nothing reaches a carer before the person shares it. Until now "About me", comments, the person's decisions about
-- sharing and the plan's setting, review date and signatures had the 'care_circle' audience, which every carer on
-- the care team received. From now on:
--   * About me is a part the person shares with each carer ('shared_about_me');
--   * comments written before now are for the care team only ('shared_no_carers': the person and staff); a new
--     comment's writer may choose to share it with the carers the person shares comments with ('shared_comments');
--   * a decision about sharing with one carer reaches the care team and that carer only ('shared_carer:<id>');
--   * the plan's setting goes with "who to contact" ('shared_plan_contacts'); its review date, signatures and the
--     capacity record are for the care team.
-- No new audience is 'care_circle'; the CHECK of 0006 already allows every 'shared_' audience.

UPDATE sync_cells SET audience = 'shared_about_me' WHERE audience = 'care_circle' AND kind = 'about_me';
UPDATE sync_cells SET audience = 'shared_carer:' || field WHERE audience = 'care_circle' AND kind = 'sharing';
UPDATE sync_cells SET audience = 'shared_plan_contacts'
    WHERE audience = 'care_circle' AND kind = 'plan' AND field = 'setting';
UPDATE sync_cells SET audience = 'shared_no_carers' WHERE audience = 'care_circle';

UPDATE sync_events SET audience = 'shared_about_me' WHERE audience = 'care_circle' AND kind = 'about_me';
UPDATE sync_events SET audience = 'shared_carer:' || field WHERE audience = 'care_circle' AND kind = 'sharing';
UPDATE sync_events SET audience = 'shared_plan_contacts'
    WHERE audience = 'care_circle' AND kind = 'plan' AND field = 'setting';
UPDATE sync_events SET audience = 'shared_no_carers' WHERE audience = 'care_circle';

-- Devices that already hold what they may no longer receive are started again by their next pull: the scope
-- fingerprint now includes the version of these rules (shared/src/sync/protocol.rs, SCOPE_RULES), so every
-- device's copy is made again under them.
