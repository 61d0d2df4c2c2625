"""nlp-review: reviews 政府信息公开工作年度报告 the way an expert reviewer would."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
