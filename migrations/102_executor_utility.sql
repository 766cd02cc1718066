-- What an organisation may announce: its own utility (executor.utility) and any further kinds it
-- serves (a heating company that also supplies hot water). Nobody else's.
CREATE TABLE executor_utility (
  executor_id integer NOT NULL REFERENCES executor ON DELETE CASCADE,
  utility     text NOT NULL CHECK (utility IN ('electricity', 'gas', 'cold_water', 'hot_water', 'heating')),
  PRIMARY KEY (executor_id, utility)
);
