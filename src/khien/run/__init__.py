"""Runners: the only place in Khiên with concurrency (local process pool; Ray and Kafka later)."""
