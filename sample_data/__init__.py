"""Sample data for arbook: a deterministic, realistic, messy company with ground truth.

    from sample_data import generate, load_small, write_bank_files
    company = generate(seed=1)              # customers, invoices, orders, allocations, bank_lines, truth
    write_bank_files(company, Path("out"))  # the month's MT940 and CSV statement files

The committed small set (`sample_data/small/`) is regenerated with

    python -m sample_data --out sample_data/small

and read back with `load_small()`; a test holds it equal to a fresh `generate()`.
"""

from sample_data.bankfiles import write_bank_files
from sample_data.generator import DEFAULT_AS_OF, SITUATIONS, SampleCompany, generate
from sample_data.rates import sample_rates
from sample_data.store import load_company, load_small, save_company

__all__ = [
    "DEFAULT_AS_OF",
    "SITUATIONS",
    "SampleCompany",
    "generate",
    "load_company",
    "load_small",
    "sample_rates",
    "save_company",
    "write_bank_files",
]
