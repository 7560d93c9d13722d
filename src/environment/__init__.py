"""The world the agents act on: the twin or a real cluster, created, deployed and torn down the same way."""
