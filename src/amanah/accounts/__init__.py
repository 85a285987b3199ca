"""People who sign in, the role each holds, and their API tokens."""
