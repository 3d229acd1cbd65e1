"""The quiz question bank (YAML scenarios per language), packaged as coach.quizbank."""
