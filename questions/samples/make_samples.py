"""Write the sample question files from ``questions.samples.data.SAMPLE_QUESTIONS``.

Run from the repository root after editing the samples:

    python -m questions.samples.make_samples
"""

from __future__ import annotations

from pathlib import Path

from questions.importer import write_questions_csv, write_questions_xlsx
from questions.samples.data import SAMPLE_QUESTIONS

SAMPLES_DIR = Path(__file__).resolve().parent
SAMPLE_XLSX = SAMPLES_DIR / "cau_hoi_mau.xlsx"
SAMPLE_CSV = SAMPLES_DIR / "cau_hoi_mau.csv"


def main() -> None:
    write_questions_xlsx(SAMPLE_XLSX, SAMPLE_QUESTIONS)
    write_questions_csv(SAMPLE_CSV, SAMPLE_QUESTIONS)
    for path in (SAMPLE_XLSX, SAMPLE_CSV):
        print(f"{path.name}: {len(SAMPLE_QUESTIONS)} questions")


if __name__ == "__main__":
    main()
