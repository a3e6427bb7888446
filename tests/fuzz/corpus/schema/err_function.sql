CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $body$
BEGIN NEW.updated_at = NOW(); RETURN NEW; END;
$body$ LANGUAGE plpgsql;
