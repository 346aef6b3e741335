"""The system of record: the table contract, typed reading and validation, safe write-back."""
