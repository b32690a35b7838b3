// Placeholder: benchmarks land with the core issue.
print("benchmarks")
