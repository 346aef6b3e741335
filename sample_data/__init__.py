"""sample_data"""
