"""Quality: Great Expectations suites and the gate that quarantines or blocks."""
