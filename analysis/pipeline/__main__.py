"""`python -m analysis.pipeline`: rebuild data/observations.csv from the seed snapshots."""

from analysis.pipeline.observations import write_seed_observations
from analysis.pipeline.project import Project


def main() -> None:
    print(f"written {write_seed_observations(Project.here())}")


if __name__ == "__main__":
    main()
