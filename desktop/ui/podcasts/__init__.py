"""The Podcasts tab: shows by feed, their episodes, and the jobs that fetch them."""
