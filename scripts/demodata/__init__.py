"""Demo data for the project: the company set-up and the seeded history generator."""
