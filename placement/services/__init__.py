"""The business of Streha: rules, workflow and ledgers. Services add and flush; never commit."""
