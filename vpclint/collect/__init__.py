"""Reading an AWS account into a snapshot: session and regions, per-concern EC2 readers, region orchestration."""
