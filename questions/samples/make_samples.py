"""Write the sample question files from ``questions.samples.data.SAMPLE_QUESTIONS``, and the
starter file of the register of documents from ``questions.samples.register_data.STARTER``.

Run from the repository root after editing the samples:

    python -m questions.samples.make_samples
"""

from __future__ import annotations

from pathlib import Path

from questions.importer import write_questions_csv, write_questions_xlsx
from questions.register import register_csv, register_xlsx
from questions.samples.data import SAMPLE_QUESTIONS
from questions.samples.register_data import STARTER

SAMPLES_DIR = Path(__file__).resolve().parent
SAMPLE_XLSX = SAMPLES_DIR / "cau_hoi_mau.xlsx"
SAMPLE_CSV = SAMPLES_DIR / "cau_hoi_mau.csv"
STARTER_XLSX = SAMPLES_DIR / "so_van_ban_can_cu.xlsx"
STARTER_CSV = SAMPLES_DIR / "so_van_ban_can_cu.csv"


def main() -> None:
    write_questions_xlsx(SAMPLE_XLSX, SAMPLE_QUESTIONS)
    write_questions_csv(SAMPLE_CSV, SAMPLE_QUESTIONS)
    for path in (SAMPLE_XLSX, SAMPLE_CSV):
        print(f"{path.name}: {len(SAMPLE_QUESTIONS)} questions")
    STARTER_XLSX.write_bytes(register_xlsx(STARTER))
    STARTER_CSV.write_bytes(register_csv(STARTER))
    for path in (STARTER_XLSX, STARTER_CSV):
        print(f"{path.name}: {len(STARTER)} documents")


if __name__ == "__main__":
    main()
