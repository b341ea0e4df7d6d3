@registration
Feature: Registration: tax identifications
  For each country where the customer pays tax, the partner records a tax identification with
  the customer's tax identification number (TIN). Solaris checks the number against the
  country's format: the German Steuer-IdNr, the French numéro fiscal, the Italian codice
  fiscale, the Spanish DNI or NIE; other countries need any number. The sandbox's test values
  are always accepted. A person has one tax identification per country, the first one is the
  primary one, and a new primary one takes over from the old. A customer who has no number yet
  says why.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person

  Rule: a number must follow its country's format

    Scenario Outline: A valid number is recorded
      When the partner records the tax identification "<number>" for "<country>" as primary
      Then the tax identification is recorded as primary

      @DE
      Examples: Germany: 11 digits, one digit twice or three times (not in a row), ISO 7064 check digit
        | country | number      | why                            |
        | DE      | 48954371207 | the sandbox test value         |
        | DE      | 86095742719 | 7 twice                        |
        | DE      | 57549285017 | 5 three times, not in a row    |

      @FR
      Examples: France: 13 digits, the last three the first ten modulo 511
        | country | number        | why                    |
        | FR      | 3023217600053 | the sandbox test value |
        | FR      | 1234567890066 | key 066                |

      @IT
      Examples: Italy: the codice fiscale, with its control letter
        | country | number           | why                                          |
        | IT      | SSSNNN31B28X000C | the sandbox test value (its control is M)    |
        | IT      | RSSMRA99D20F205R | the example of the guide                     |
        | IT      | RSSMRA85T10A56NH | omocodia: a digit written as a letter        |
        | IT      | rssmra85t10a562s | lowercase                                    |

      @ES
      Examples: Spain: DNI (8 digits and a letter) or NIE (X, Y or Z, 7 digits and a letter)
        | country | number    | why           |
        | ES      | 12345678Z | DNI           |
        | ES      | X1234567L | NIE with X    |
        | ES      | Y1234567X | NIE with Y    |
        | ES      | Z1234567R | NIE with Z    |

      Examples: other countries: any number
        | country | number      | why     |
        | AT      | 12-345/6789 | Austria |
        | NL      | 123456782   | Netherlands |

    Scenario Outline: An invalid number is refused with the seed's wording
      When the partner records the tax identification "<number>" for "<country>" as primary
      Then the request is refused with status 400 and code "invalid_model" on field "number"
      And the refusal reads "number is not a valid person tax identification number for country: <country>, for reference please check: https://en.wikipedia.org/wiki/National_identification_number#<anchor>"

      @DE
      Examples: Germany
        | country | anchor  | number       | why                         |
        | DE      | Germany | 48954371206  | wrong check digit           |
        | DE      | Germany | 12345678903  | no digit repeated           |
        | DE      | Germany | 11123456786  | a digit three times in a row |
        | DE      | Germany | 08954371207  | leading zero                |
        | DE      | Germany | 4895437120   | 10 digits                   |
        | DE      | Germany | 489 543 71207 | spaces                     |

      @FR
      Examples: France
        | country | anchor | number          | why                                 |
        | FR      | France | 3023217600054   | wrong key                           |
        | FR      | France | 4023217600053   | first digit above 3                 |
        | FR      | France | 302321760005312 | 15 digits, as Appendix III says     |
        | FR      | France | 30232176000AB   | letters                             |

      @IT
      Examples: Italy
        | country | anchor | number           | why                     |
        | IT      | Italy  | RSSMRA99D20F205S | wrong control letter    |
        | IT      | Italy  | RSSMRA85Z10A562S | no month letter Z       |
        | IT      | Italy  | RSSMRA85T32A562S | day 32                  |
        | IT      | Italy  | RSSMRA85T10A562  | 15 characters           |

      @ES
      Examples: Spain
        | country | anchor | number    | why               |
        | ES      | Spain  | 12345678A | wrong DNI letter  |
        | ES      | Spain  | X1234567T | wrong NIE letter  |
        | ES      | Spain  | W1234567L | W starts no NIE   |
        | ES      | Spain  | 1234567Z  | 7 digits          |

      Examples: other countries
        | country | anchor | number | why   |
        | AT      | AT     |        | empty |

    Scenario: The sandbox value of one country is no valid number of another
      When the partner records the tax identification "48954371207" for "FR" as primary
      Then the request is refused with status 400 and code "invalid_model" on field "number"

    Scenario: A changed number is checked the same way
      Given the customer's tax identification "48954371207" for "DE" is recorded as primary
      When the partner changes the number of the tax identification for "DE" to "48954371206"
      Then the request is refused with status 400 and code "invalid_model" on field "number"

  Rule: one tax identification per country; the first is primary; a new primary one takes over

    Scenario: A second tax identification for the same country is refused
      Given the customer's tax identification "48954371207" for "DE" is recorded as primary
      When the partner records the tax identification "86095742719" for "DE" as secondary
      Then the request is refused with status 400 and code "invalid_model" on field "country"
      And the customer has 1 tax identification

    Scenario: The first tax identification must be the primary one
      When the partner records the tax identification "48954371207" for "DE" as secondary
      Then the request is refused with status 400 and code "invalid_model" on field "primary"
      And the customer has 0 tax identifications

    Scenario: A second country as secondary leaves the primary one
      Given the customer's tax identification "48954371207" for "DE" is recorded as primary
      When the partner records the tax identification "3023217600053" for "FR" as secondary
      Then the request is accepted
      And the tax identification for "DE" is the only primary one
      And the customer has 2 tax identifications

    Scenario: A new primary tax identification takes over from the old one
      Given the customer's tax identification "48954371207" for "DE" is recorded as primary
      When the partner records the tax identification "3023217600053" for "FR" as primary
      Then the request is accepted
      And the tax identification for "FR" is the only primary one
      And the customer has 2 tax identifications

    @webhooks
    Scenario: A new tax identification tells the partner through PERSON_TAX_IDENTIFICATION_CHANGED
      When the partner records the tax identification "48954371207" for "DE" as primary
      Then within 5 seconds the partner receives a PERSON_TAX_IDENTIFICATION_CHANGED webhook for the customer
      And the webhook is about the tax identification for "DE" and its body names the customer

  Rule: a customer without a number says why; only Spain has a type of number

    Scenario Outline: Without a number, a reason: NOT_ASSIGNED_YET, NOT_ASSIGNED_BY_COUNTRY or OTHER (with a description)
      When the partner records a primary tax identification for "<country>" with number null, reason <reason> and description <description>
      Then the request is <outcome>

      Examples:
        | country | reason                    | description               | outcome                                                                           |
        | DE      | "NOT_ASSIGNED_YET"        | null                      | accepted                                                                          |
        | IT      | "NOT_ASSIGNED_BY_COUNTRY" | null                      | accepted                                                                          |
        | FR      | "OTHER"                   | "Diplomat, exempt from tax" | accepted                                                                        |
        | DE      | null                      | null                      | refused with status 400 and code "invalid_model" on field "reason_no_tin"         |
        | DE      | "LOST_IT"                 | null                      | refused with status 400 and code "invalid_model" on field "reason_no_tin"         |
        | ES      | "OTHER"                   | null                      | refused with status 400 and code "invalid_model" on field "reason_description"    |
        | DE      | "NOT_ASSIGNED_YET"        | "Still waiting"           | refused with status 400 and code "invalid_model" on field "reason_description"    |

    Scenario: A number and a reason for having none do not go together
      When the partner records a primary tax identification for "DE" with number "48954371207", reason "NOT_ASSIGNED_YET" and description null
      Then the request is refused with status 400 and code "invalid_model" on field "reason_no_tin"

    Scenario Outline: The type of number (NIE or NIF) is for Spain only
      When the partner records the tax identification "<number>" for "<country>" with the type <type>
      Then the request is <outcome>

      Examples:
        | country | number      | type  | outcome                                                                     |
        | ES      | 12345678Z   | "NIF" | accepted                                                                    |
        | ES      | X1234567L   | "NIE" | accepted                                                                    |
        | ES      | 12345678Z   | "DNI" | refused with status 400 and code "invalid_model" on field "tax_id_type"     |
        | DE      | 48954371207 | "NIF" | refused with status 400 and code "invalid_model" on field "tax_id_type"     |
