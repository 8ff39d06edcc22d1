-- What the last action said it did ("Renewed Dune for mem22 until 3
-- January"), kept in the session until the next page shows it, once, as
-- Django's messages framework keeps them: JSON of app::model::Message.
ALTER TABLE session_state ADD COLUMN message TEXT;
