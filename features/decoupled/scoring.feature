@decoupled @simulation
Feature: Credit scoring of decoupled card applications
  The scorer reads the credit record first, then the account snapshot: income, other expenses,
  recurring credit repayments and the balance. It offers EUR 100 to EUR 1,000 in steps of
  EUR 50, at most what the credit record allows, or rejects with the documented reasons.
  docs/scoring.md has the rules; the rows below are its worked examples.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person

  Scenario Outline: The account snapshot sets the limit, within what the credit record allows
    Given the customer's credit record shows a score of <score> % and 0 negative entries
    And the customer applied for a decoupled card
    When the customer shares three months of their bank account: a salary of <salary>, rent of <rent>, loan repayments of <loan> and a balance of <balance>
    And the partner links the account snapshot to the application
    Then within 5 seconds the application is "offered" with a limit of <limit>

    Examples: every limit band
      | score | salary       | rent       | loan     | balance      | limit        |
      | 97.5  | 3,000.00 EUR | 0.00 EUR   | 0.00 EUR | 1,000.00 EUR | 1,000.00 EUR |
      | 97.5  | 2,500.00 EUR | 700.00 EUR | 0.00 EUR | 0.00 EUR     | 900.00 EUR   |
      | 96    | 3,000.00 EUR | 0.00 EUR   | 0.00 EUR | 0.00 EUR     | 750.00 EUR   |
      | 92    | 3,000.00 EUR | 0.00 EUR   | 0.00 EUR | 0.00 EUR     | 500.00 EUR   |
      | 97.5  | 1,500.00 EUR | 700.00 EUR | 0.00 EUR | 0.00 EUR     | 400.00 EUR   |
      | 85    | 3,000.00 EUR | 0.00 EUR   | 0.00 EUR | 0.00 EUR     | 250.00 EUR   |
      | 97.5  | 1,600.00 EUR | 600.00 EUR | 0.00 EUR | -300.00 EUR  | 200.00 EUR   |
      | 97.5  | 1,000.00 EUR | 750.00 EUR | 0.00 EUR | 0.00 EUR     | 100.00 EUR   |

  Scenario Outline: The account snapshot can reject the application
    Given the customer's credit record shows a score of 97.5 % and 0 negative entries
    And the customer applied for a decoupled card
    When the customer shares three months of their bank account: a salary of <salary>, rent of <rent>, loan repayments of <loan> and a balance of <balance>
    And the partner links the account snapshot to the application
    Then within 5 seconds the application is rejected because of "<reason>"
    And within 5 seconds the partner receives an SDD_COLLECTION_APPLICATION webhook for the customer whose "decision" is "REJECTED"

    Examples:
      | salary       | rent         | loan         | balance      | reason                        |
      | 800.00 EUR   | 650.00 EUR   | 0.00 EUR     | 0.00 EUR     | not_preferred_alternate_offer |
      | 2,000.00 EUR | 0.00 EUR     | 1,100.00 EUR | 0.00 EUR     | probability_of_default        |
      | 1,000.00 EUR | 1,200.00 EUR | 0.00 EUR     | 0.00 EUR     | probability_of_default        |
      | 0.00 EUR     | 0.00 EUR     | 0.00 EUR     | 5,000.00 EUR | probability_of_default        |

  Scenario Outline: The credit record can reject the application before any snapshot
    Given the customer's credit record shows a score of <score> % and <entries> negative entries
    When the partner applies for a decoupled card with the credit record
    Then within 5 seconds the application is rejected because of "probability_of_default"

    Examples:
      | score | entries |
      | 79.99 | 0       |
      | 99    | 1       |

  @serial
  Scenario: An expired credit record starts no application
    Given the partner requested the customer's credit record from Solaris
    When 30 days pass
    Then the credit record is "expired"
    And within 5 seconds the partner receives a PERSON_CREDIT_RECORD webhook for the customer whose "status" is "expired"
    When the partner applies for a decoupled card with the credit record
    Then the request is refused with status 400 and code "invalid_model" on field "credit_record_id"
