"""vpclint: prove that VPCs pull Amazon ECR images privately, and say what to fix where they can't."""

__version__ = "0.1.0"
