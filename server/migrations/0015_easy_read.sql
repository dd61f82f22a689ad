-- Easy read (short sentences, larger text, a picture beside each plan section), chosen by the person and kept on
-- their account like the language: 1 on, 0 off.
ALTER TABLE users ADD COLUMN easy_read BIGINT NOT NULL DEFAULT 0;
