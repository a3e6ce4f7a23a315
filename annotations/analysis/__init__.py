"""What the coded data says: statistics, agreement, suggestions, merging analysts' work."""
