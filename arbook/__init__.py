"""arbook"""
