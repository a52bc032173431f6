-- 013: hardware due dates (issue 18, item 4).  A set may have a default
-- loan length; a holding has the time its units are expected back and who
-- borrowed them.  Holdings stay one row per set and holder (a project or a
-- person), so a holding has one due date: the EARLIEST of the checkouts it
-- still holds (a later checkout never moves it later; one with an earlier
-- date moves it earlier), cleared when the last unit comes back.
-- haas-notifyd's sweeps remind the borrower and the project's members once
-- when it is due soon and once when it is overdue (src/resources.c).
ALTER TABLE resources
  ADD COLUMN loan_days SMALLINT NULL AFTER available_units,
  ADD CONSTRAINT ck_resources_loan_days
    CHECK (loan_days IS NULL OR loan_days BETWEEN 1 AND 365);

ALTER TABLE resource_holdings
  ADD COLUMN due_at DATETIME(6) NULL AFTER units,
  -- whose checkout set due_at (the holder of a personal holding)
  ADD COLUMN borrowed_by BIGINT UNSIGNED NULL AFTER due_at,
  ADD KEY ix_holdings_due (due_at),
  ADD CONSTRAINT fk_holdings_borrower FOREIGN KEY (borrowed_by)
    REFERENCES users (id),
  -- nothing held, nothing due
  ADD CONSTRAINT ck_holdings_due CHECK (units > 0 OR due_at IS NULL);

UPDATE resource_holdings SET borrowed_by = user_id WHERE user_id IS NOT NULL;

-- The reservation reminder's sweep looks reservations up by start time.
ALTER TABLE reservations ADD KEY ix_res_start (start_at);
