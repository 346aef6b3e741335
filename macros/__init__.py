"""macros"""
